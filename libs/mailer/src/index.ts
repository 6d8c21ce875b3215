export * from './mail-transport';
export * from './nodemailer-transports';
export * from './mailer.module';
