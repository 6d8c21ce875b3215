import { loadAppConfig, loadSimulatorConfig } from './app-config';
import { weakSecretProblem } from './secret-strength';

const strong = {
  ADMIN_API_KEY: 'op-9c4e1a7b2d5f8036e1b4c7d9',
  UNSUBSCRIBE_SECRET: '5f0c8e2a9b7d4613f0e8c2a5b9d7e4163a0c',
  IYS_PUSH_PASSWORD: 'pX7-q2Lm9-Zt4wRk',
  IYS_SIMULATOR_TOKEN: 'sim-3e9a1c7f5b2d8046a3c1',
} as const;

describe(weakSecretProblem.name, () => {
  it.each(Object.entries(strong))('accepts a random %s', (variable, value) => {
    expect(weakSecretProblem(variable as keyof typeof strong, value)).toBeNull();
  });

  it.each([
    ['ADMIN_API_KEY', 'a'.repeat(40), /one character repeated/],
    ['UNSUBSCRIBE_SECRET', 'abcabcabcabcabcabcabcabcabcabcabcabc', /only 3 different characters/],
    ['IYS_PUSH_PASSWORD', 'short-Pass1', /at least 16 characters/],
    ['ADMIN_API_KEY', 'change-me-operator-key-0123456789', /placeholder/],
    ['UNSUBSCRIBE_SECRET', 'change-me-unsubscribe-secret-0123456789abcdef', /placeholder/],
    ['UNSUBSCRIBE_SECRET', 'CHANGEME_please_0123456789_abcdefghij', /placeholder/],
    ['IYS_PUSH_PASSWORD', 'password1234567890', /placeholder/],
    ['IYS_PUSH_PASSWORD', 'Secret!-2026-09-14', /placeholder/],
    ['IYS_SIMULATOR_TOKEN', 'your-secret-here-0123456789', /placeholder/],
  ] as const)('refuses %s=%s', (variable, value, reason) => {
    expect(weakSecretProblem(variable, value)).toMatch(reason);
    expect(weakSecretProblem(variable, value)).toContain(variable);
  });
});

describe('weak secrets at start', () => {
  it('accepts strong ones', () => {
    const { IYS_SIMULATOR_TOKEN: _token, ...app } = strong;
    expect(() => loadAppConfig({ ...app, IYS_PUSH_USERNAME: 'iys' })).not.toThrow();
    expect(loadSimulatorConfig({ IYS_SIMULATOR_TOKEN: strong.IYS_SIMULATOR_TOKEN }).token).toBe(
      strong.IYS_SIMULATOR_TOKEN,
    );
  });

  it.each([
    ['ADMIN_API_KEY', 'x'.repeat(32)],
    ['ADMIN_API_KEY', 'change-me-operator-key-0123456789'],
    ['UNSUBSCRIBE_SECRET', '0'.repeat(64)],
    ['UNSUBSCRIBE_SECRET', 'change-me-unsubscribe-secret-0123456789abcdef'],
    ['IYS_PUSH_PASSWORD', 'push-secret-1'],
    ['IYS_PUSH_PASSWORD', 'p'.repeat(20)],
  ])('stops the start for %s=%s, naming it', (variable, value) => {
    expect(() =>
      loadAppConfig({ IYS_PUSH_USERNAME: 'iys', IYS_PUSH_PASSWORD: strong.IYS_PUSH_PASSWORD, [variable]: value }),
    ).toThrow(new RegExp(`${variable}: `));
  });

  it('stops the simulator for a weak IYS_SIMULATOR_TOKEN', () => {
    expect(() => loadSimulatorConfig({ IYS_SIMULATOR_TOKEN: 't'.repeat(30) })).toThrow(/IYS_SIMULATOR_TOKEN: /);
    expect(() => loadSimulatorConfig({ IYS_SIMULATOR_TOKEN: 'short' })).toThrow(/IYS_SIMULATOR_TOKEN: .*24/);
  });
});
