import { Logger } from '@nestjs/common';

// Nest's default logger is quiet in tests unless asked for (IZINLI_TEST_LOGS=1); a failing assertion says enough.
if (!process.env.IZINLI_TEST_LOGS) Logger.overrideLogger(false);
