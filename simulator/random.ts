/** The simulator's seeded streams: the one generator in `shared/kit/random.ts`. */
export { Random } from "../shared/kit/random";
