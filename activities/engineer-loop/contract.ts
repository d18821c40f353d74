/** The loop's contract lives beside the workflow that drives it; the step activities import it from here. */
export type * from '../../workflows/engineer-loop-contract';
