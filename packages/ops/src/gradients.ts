// The side-effect entry `@tfjs-vit/ops/gradients`: importing it registers tfjs-core's gradient
// functions (what `tf.grad`, `tf.grads` and the optimizers look up). tfjs-core ships them only as
// dist/register_all_gradients.js, whose extensionless imports plain Node cannot resolve, so the
// build bundles that module into this file; tfjs-core itself stays external, and the kernel and
// gradient registries are process globals, so the registrations reach the user's tfjs-core.
// Every package that trains imports this one file: one copy of the code, registered once.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
