/**
 * The size a piece of a long JSON answer aims at (server/json-pieces.ts, and lists written ahead,
 * such as tracking/rest-json.ts's metricPointsJson): small enough to reuse the memory the last
 * answer freed, big enough to keep pieces few.
 */
export const JSON_PIECE_CHARS = 16 * 1024;
