export {
  Module,
  Parameter,
  StateDictError,
  IDENTITY_LAYOUT,
  permutedLayout,
  describeReport,
  type ParameterLayout,
  type LoadReport,
  type ShapeMismatch,
  type StateDict,
  type LoadStateDictOptions,
} from './module';
export { ModuleList, Sequential, Identity, type TensorModule } from './containers';
