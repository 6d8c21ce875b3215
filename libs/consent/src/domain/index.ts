export * from './iys-enums';
export * from './message-kinds';
