import { Injectable, Logger } from '@nestjs/common';
import { generateApiKey, hashApiKey, keyPrefix } from '../common/auth/api-key-hasher';
import { TenancyRepository } from './tenancy.repository';

/**
 * The operator key lives in the database like every other key (hashed), so any number of processes agree on
 * it. ADMIN_API_KEY set: that key, and only it. Unset: one is generated on the very first start and shown once.
 */
@Injectable()
export class OperatorKeyService {
  private readonly log = new Logger('OperatorKey');

  constructor(private readonly repo: TenancyRepository) {}

  /** Answers the generated key when this start created it (to print once), otherwise null. */
  async ensure(configured: string | undefined): Promise<string | null> {
    if (configured) {
      await this.repo.setOperatorKey(hashApiKey(configured), keyPrefix(configured));
      return null;
    }
    if (await this.repo.operatorKeyExists()) return null;
    const key = generateApiKey('op');
    const won = await this.repo.insertFirstOperatorKey(hashApiKey(key), keyPrefix(key));
    if (won) this.log.log('generated the operator key (shown once at start)');
    return won ? key : null;
  }
}
