// Presentation helpers shared by the CLI and the daemon: human-readable sizes, durations and rates.

export { formatBytes, formatDuration, formatRate } from './format.js';
