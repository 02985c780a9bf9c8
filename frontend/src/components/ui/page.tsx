import { useEffect, type ReactNode } from 'react';

export function Page({ title, subtitle, actions, children, testId }: { title: string; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  useEffect(() => {
    document.title = `${title} · genrelens`;
  }, [title]);
  return (
    <section className="page" data-testid={testId} aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{title}</h1>
          {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, className = '', testId, actions }: { title?: ReactNode; children: ReactNode; className?: string; testId?: string; actions?: ReactNode }) {
  return (
    <section className={`card ${className}`} data-testid={testId}>
      {title || actions ? (
        <header className="card-header">
          {title ? <h2 className="card-title">{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function SourceBadge({ source }: { source: string | null | undefined }) {
  const kind = !source ? 'none' : source.startsWith('dataset') ? 'dataset' : source;
  const label = !source ? 'no features' : source.startsWith('dataset:') ? source.slice(8) : source === 'local' ? 'your audio' : source;
  return (
    <span className={`badge badge-${kind}`} title={source ? `features from ${source}` : 'no provider had features'}>
      {label}
    </span>
  );
}

export function Cover({ url, alt, size = 48 }: { url: string | null | undefined; alt: string; size?: number }) {
  if (!url) return <span className="cover cover-empty" style={{ width: size, height: size }} aria-hidden="true" />;
  return <img className="cover" src={url} alt={alt} width={size} height={size} loading="lazy" />;
}
