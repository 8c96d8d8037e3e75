export { TfjsVitError, ShapeError, ArgumentError, assertRank, fmtShape } from './errors';
