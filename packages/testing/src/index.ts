export { describeBackends, TEST_BACKENDS } from './backends';
export { loadFixture, shapeDigest, type Fixture } from './fixtures';
export { expectClose, expectRelClose, maxAbsDiff, tensorGrowth } from './close';
export { CHROMIUM, hasChromium, launchChromium, serveStatic, type LaunchOptions, type StaticServer } from './browser';
export { fuzzRuns, runFuzzDriver, FUZZ_ADDRESS_SPACE, type FuzzTally } from './fuzz.mjs';
export { killWhen, type KillResult } from './kill';
