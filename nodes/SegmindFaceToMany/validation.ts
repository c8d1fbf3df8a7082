// Transitional: the transport still imports the job body's type from here.
export type { JobPayload } from './helpers/jobPayload';
