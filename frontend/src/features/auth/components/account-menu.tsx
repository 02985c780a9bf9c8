import { loginUrl } from '@/api/client';

import { useLogout, useMe } from '../api/me';

export function AccountMenu() {
  const me = useMe();
  const logout = useLogout();
  if (me.isPending) return <span className="account muted">…</span>;
  if (me.isError || !me.data?.connected) {
    const href = loginUrl(me.data?.login_url);
    return (
      <a className="button button-primary button-small" href={href} data-testid="login-link">
        Log in with Spotify
      </a>
    );
  }
  const user = me.data.user!;
  return (
    <div className="account" data-testid="account">
      <span className="avatar" aria-hidden="true">{(user.display_name || user.spotify_id).slice(0, 1).toUpperCase()}</span>
      <span className="account-name">{user.display_name ?? user.spotify_id}</span>
      <button type="button" className="button button-small" onClick={() => logout.mutate()} disabled={logout.isPending} data-testid="logout">
        Log out
      </button>
    </div>
  );
}
