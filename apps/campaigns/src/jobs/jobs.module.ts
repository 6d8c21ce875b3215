import { Global, Module } from '@nestjs/common';
import { SweepService } from './sweep.service';

@Global()
@Module({ providers: [SweepService], exports: [SweepService] })
export class JobsModule {}
