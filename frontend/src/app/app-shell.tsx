import { Suspense } from 'react';
import { NavLink, Outlet, useNavigation } from 'react-router';

import { Loading } from '@/components/ui/states';
import { AccountMenu } from '@/features/auth/components/account-menu';

const NAV = [
  { to: '/', label: 'Home', end: true },
  { to: '/search', label: 'Search' },
  { to: '/browse', label: 'Browse' },
  { to: '/top', label: 'Top tracks' },
  { to: '/liked', label: 'Liked' },
  { to: '/taste', label: 'Taste' },
  { to: '/compare', label: 'Compare' },
  { to: '/rhythm', label: 'Rhythm' },
  { to: '/upload', label: 'Upload' },
  { to: '/model', label: 'Model' },
  { to: '/status', label: 'Status' },
];

export function AppShell() {
  const navigation = useNavigation();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="genrelens home">
          <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <g fill="#E69F00">
              <rect x="6" y="14" width="3" height="8" rx="1.5" />
              <rect x="11" y="9" width="3" height="18" rx="1.5" />
              <rect x="16" y="5" width="3" height="22" rx="1.5" />
              <rect x="21" y="11" width="3" height="12" rx="1.5" />
            </g>
          </svg>
          <span>genrelens</span>
        </NavLink>
        <nav aria-label="Main" className="nav">
          {NAV.map((n) => (
            <NavLink key={n.to} to={n.to} end={n.end} className="nav-link" data-testid={`nav-${n.label.toLowerCase().replace(/\s+/g, '-')}`}>
              {n.label}
            </NavLink>
          ))}
        </nav>
        <AccountMenu />
      </header>
      {navigation.state === 'loading' ? <div className="route-progress" role="progressbar" aria-label="Loading page" /> : null}
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="footer muted small">
        genrelens · features from Spotify where allowed, ReccoBeats, public datasets and your own audio · every number says where it came from
      </footer>
    </div>
  );
}
