// Owns how long a submit may take: the one deadline the broker adapter gives a POST/PUT of an order, and how long after
// it reconciliation must still expect the order to appear before it may count it absent. Pure constants.

/** Deadline of one order submit or replace (the adapter's submitTimeoutMs). */
export const SUBMIT_TIMEOUT_MS = 15_000;

/** Extra time after the submit deadline during which a request still in flight may land at the broker. */
export const SUBMIT_ABSENCE_MARGIN_MS = 15_000;

/** When a search that does not find an order sent at `submittedAt` may start to count as evidence of its absence. */
export const absenceCountsFrom = (
  submittedAt: number,
  submitTimeoutMs = SUBMIT_TIMEOUT_MS,
  marginMs = SUBMIT_ABSENCE_MARGIN_MS,
): number => submittedAt + submitTimeoutMs + marginMs;
