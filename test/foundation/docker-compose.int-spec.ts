// The compose file is a deployment: it must not start open. Docker is not part of CI, so the file is read as
// compose reads it (YAML with merge keys) and its rules checked here; `docker compose config` refuses it without the
// secrets on a machine that has Docker.
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

const FILE = join(__dirname, '..', '..', 'docker-compose.yml');
const text = readFileSync(FILE, 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
const services = Object.entries(compose.services);

/** Every variable whose value is a secret, wherever a service sets it. */
const SECRETS = ['ADMIN_API_KEY', 'UNSUBSCRIBE_SECRET', 'IYS_SIMULATOR_TOKEN', 'IYS_PUSH_PASSWORD'];

describe('docker-compose.yml', () => {
  it('gives no secret a default: each one is required from the environment, with a message', () => {
    const seen: string[] = [];
    for (const [name, service] of services) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (!SECRETS.includes(variable)) continue;
        seen.push(`${name}.${variable}`);
        expect({ [`${name}.${variable}`]: value }).toEqual({
          [`${name}.${variable}`]: expect.stringMatching(new RegExp(`^\\$\\{${variable}:\\?set ${variable} [^}]+\\}$`)),
        });
      }
    }
    expect(seen.sort()).toEqual([
      'api.ADMIN_API_KEY',
      'api.UNSUBSCRIBE_SECRET',
      'iys-simulator.IYS_SIMULATOR_TOKEN',
      'worker.ADMIN_API_KEY',
      'worker.UNSUBSCRIBE_SECRET',
    ]);
    // Nor anywhere else in the file, e.g. in a comment someone might copy.
    expect(text).not.toMatch(/change-me/i);
    for (const variable of SECRETS) expect(text).not.toMatch(new RegExp(`\\$\\{${variable}:?-`));
  });

  it('publishes the İYS simulator only under the dev profile, and only on this machine', () => {
    const publishing = services.filter(([, s]) => (s.ports ?? []).some((p) => /(^|:)4010(\/tcp)?$/.test(p)));
    expect(publishing.length).toBeGreaterThan(0);
    for (const [name, service] of publishing) {
      expect({ [name]: service.profiles }).toEqual({ [name]: ['dev'] });
      for (const port of service.ports!) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services['iys-simulator'].ports).toBeUndefined();
    expect(compose.services['iys-simulator'].profiles).toBeUndefined();
    // The api and the workers reach it by its service name on the compose network.
    expect(compose.services.api.environment!.IYS_URL).toBe('http://iys-simulator:4010');
    expect(compose.services.worker.environment!.IYS_URL).toBe('http://iys-simulator:4010');
  });

  it('publishes nothing but the API beyond this machine', () => {
    const open = services.flatMap(([name, s]) =>
      (s.profiles ? [] : (s.ports ?? [])).filter((p) => !p.startsWith('127.0.0.1:')).map((p) => `${name} ${p}`),
    );
    expect(open).toEqual(['api 3000:3000']);
  });
});
