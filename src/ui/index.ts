// Presentation helpers shared by the CLI and the daemon: human-readable sizes, durations, rates and times.

export {
  formatBytes,
  formatDuration,
  formatLocalTime,
  formatRate,
  formatSpan,
  relativeTime,
} from './format.js';
