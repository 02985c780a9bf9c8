import { Link } from 'react-router';

import { Page } from '@/components/ui/page';
import { Empty } from '@/components/ui/states';

export function NotFoundRoute() {
  return (
    <Page title="Not found" testId="page-not-found">
      <Empty title="There is no page at this address.">
        <Link to="/">Go home</Link>
      </Empty>
    </Page>
  );
}
