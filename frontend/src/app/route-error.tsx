import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : 'Unknown error';
  return (
    <main className="main" id="main">
      <div className="state state-error" role="alert" data-testid="state-error">
        <p className="state-title">This page failed to load</p>
        <p className="state-message">{message}</p>
        <p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>{' '}
          <Link to="/">Home</Link>
        </p>
      </div>
    </main>
  );
}
