import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

// predict_worker is its own entry: a predict pool starts `predict_worker.js` (next to the built
// module) in each piscina worker thread.
export default defineConfig({
  ...baseOptions,
  entry: ['src/index.ts', 'src/predict_worker.ts'],
  dts: { entry: 'src/index.ts' },
  external: ['onnxruntime-node', 'sharp', '@tensorflow/tfjs-core', 'piscina'],
});
