import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({ ...baseOptions, external: ['onnxruntime-node', 'sharp', '@tensorflow/tfjs-core'] });
