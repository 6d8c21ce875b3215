// The İYS simulator's public entry: start one in-process, or read its knobs' shape.
export { startIysSimulator, type IysSimulatorOptions, type RunningIysSimulator } from './start-simulator';
export {
  defaultKnobs,
  type RateLimitKnobs,
  type SimulatorKnobs,
  type SimulatorKnobsPatch,
  type UnknownStatusAnswer,
} from './core/simulator-knobs';
