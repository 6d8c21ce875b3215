export * from './mail-transport';
export * from './nodemailer-transports';
export * from './mime-composer';
export * from './mailer.module';
