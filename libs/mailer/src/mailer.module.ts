import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { MailTransport } from './mail-transport';
import { EmlFileMailTransport, NodemailerMailTransport } from './nodemailer-transports';

export interface MailerModuleOptions {
  smtpUrl?: string;
  poolSize: number;
  /** Where .eml files go when smtpUrl is unset. */
  mailDir: string;
}

@Injectable()
class MailCloser implements OnApplicationShutdown {
  constructor(private readonly transport: MailTransport) {}
  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}

@Global()
@Module({})
export class MailerModule {
  static forRoot(options: MailerModuleOptions): DynamicModule {
    return {
      module: MailerModule,
      providers: [
        {
          provide: MailTransport,
          useFactory: () =>
            options.smtpUrl
              ? new NodemailerMailTransport(options.smtpUrl, options.poolSize)
              : new EmlFileMailTransport(options.mailDir),
        },
        MailCloser,
      ],
      exports: [MailTransport],
    };
  }
}
