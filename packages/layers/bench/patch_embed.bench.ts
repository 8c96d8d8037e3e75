// PatchEmbed's two implementations of the PxP/stride-P conv on wasm and cpu: patchify + one 2-D
// matMul versus tf.conv2d. Run: cd packages/layers && npx vitest bench --run
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { bench, describe } from 'vitest';
import { PatchEmbed } from '../src/patch_embed';

// cpu is ~40x slower (B=8 forward + backward takes minutes): opt in with BENCH_BACKENDS=wasm,cpu.
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm').split(',');
for (const backend of BACKENDS) {
  for (const batch of [1, 8]) {
    describe(`PatchEmbed 224/16 → 768, B=${batch} [${backend}]`, () => {
      const setup = async () => {
        await tf.setBackend(backend);
        await tf.ready();
      };
      const make = (impl: 'matmul' | 'conv') => {
        let embed: PatchEmbed | undefined;
        let x: tf.Tensor | undefined;
        return {
          run: () => tf.dispose(embed!.forward(x!)),
          train: () => {
            const { value, grads } = tf.variableGrads(() => tf.sum(embed!.forward(x!)) as tf.Scalar, embed!.trainableVariables());
            tf.dispose([value, ...Object.values(grads)]);
          },
          opts: {
            setup: async () => {
              await setup();
              embed = new PatchEmbed({ impl });
              x = tf.randomNormal([batch, 224, 224, 3]);
            },
            teardown: () => {
              embed?.dispose();
              x?.dispose();
            },
            iterations: 10,
            time: 1000,
          },
        };
      };
      const mm = make('matmul');
      const conv = make('conv');
      bench('patchify + matMul', mm.run, mm.opts);
      bench('conv2d', conv.run, conv.opts);
      bench('patchify + matMul, forward + backward', mm.train, mm.opts);
      bench('conv2d, forward + backward', conv.train, conv.opts);
    });
  }
}
