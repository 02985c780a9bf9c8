import type { Job } from '@/api/types';

export function JobProgress({ job, label }: { job: Job; label: string }) {
  const { done = 0, total = 0 } = job.progress ?? {};
  const pct = total > 0 ? Math.round((done / total) * 100) : null;
  return (
    <div className="job-progress" data-testid="job-progress" data-status={job.status}>
      <div className="job-line">
        <span>{label}</span>
        <span className="muted">
          {job.status === 'queued' ? 'waiting for the worker…' : job.status === 'running' ? (pct !== null ? `${done} of ${total}` : 'running…') : job.status === 'done' ? 'done' : 'failed'}
        </span>
      </div>
      <progress max={100} value={job.status === 'done' ? 100 : (pct ?? undefined)} aria-label={label} />
      {job.status === 'failed' ? (
        <p className="state-message" role="alert">
          {job.error || 'The job failed.'}
        </p>
      ) : null}
    </div>
  );
}
