import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { MailTransport } from './mail-transport';
import { EmlFileMailTransport, NodemailerMailTransport, SmtpTimeLimits, SmtpTlsOptions } from './nodemailer-transports';

export interface MailerModuleOptions {
  smtpUrl?: string;
  poolSize: number;
  /** Unset fields take the transport's defaults: TLS required unless the host is loopback, certificates checked. */
  tls?: SmtpTlsOptions;
  /** Unset fields take SMTP_TIME_LIMITS. */
  limits?: Partial<SmtpTimeLimits>;
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
              ? new NodemailerMailTransport(options.smtpUrl, options.poolSize, undefined, options.tls, options.limits)
              : new EmlFileMailTransport(options.mailDir),
        },
        MailCloser,
      ],
      exports: [MailTransport],
    };
  }
}
