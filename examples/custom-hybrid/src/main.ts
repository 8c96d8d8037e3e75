// node dist/main.js [--epochs 3] [--train-per-class 300]
// Part 1 trains the hand-built SmallHybrid on Fashion-MNIST; part 2 builds timm's r50 hybrid shape.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { r50ShapedViT } from './r50_shape';
import { trainHybrid } from './train_hybrid';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback);
};
await tf.setBackend('wasm');
const r = await trainHybrid({ epochs: arg('epochs', '3'), trainPerClass: arg('train-per-class', '300'), log: console.log });
console.log(`SmallHybrid (${r.parameters} parameters): test top-1 ${(100 * r.testTop1).toFixed(2)}% on ${r.testCount} held-out images after ${r.seconds.toFixed(0)} s`);

const vit = r50ShapedViT({ imgSize: 224, stem: 16, stages: [32, 64], embedDim: 64, depth: 2, numHeads: 2, numClasses: 10 }).eval();
const logits = vit.forward(tf.zeros([1, 224, 224, 3]));
const keys = vit.namedParameters().map(([k]) => k);
console.log(`r50-shaped ViT: ${vit.numParameters()} parameters, 14x14 tokens + cls, logits [${logits.shape}]; keys ${keys.slice(0, 3).join(', ')}, …, ${keys.find((k) => k.startsWith('patch_embed.proj'))}`);
