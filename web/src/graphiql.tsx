// GraphiQL, bundled (no CDN): Monaco's workers come from graphiql/setup-workers/vite.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { StrictMode } from 'react';
import type { ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { getToken, LANG_KEY } from './api';

const DEFAULT_QUERY = `# CID Graph: every dashboard widget is a query in docs/queries/.
# Ctrl+Enter runs it; Ctrl+Space autocompletes metrics and dimensions.
query Example($locale: String = "nb") {
  me { role organization { name orgType country region } }
  insights(
    query: {metrics: [BUYERS, EVENTS, ORGANIZATIONS], groupBy: [{dimension: COUNTRY}], scope: NETWORK}
    locale: $locale
  ) {
    rows {
      dimensions { value label }
      metrics { metric value suppressed reason }
    }
  }
}
`;

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const fetcher: Fetcher = async (params, opts) => {
  const token = getToken();
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const lang = localStorage.getItem(LANG_KEY);
  if (lang) headers['Accept-Language'] = lang;
  Object.assign(headers, (opts?.headers ?? {}) as Record<string, string>);
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(params) });
  return response.json();
};

function Banner() {
  const token = getToken();
  return (
    <div className="cid-banner" role="note">
      <a href="/">← CID</a>
      <span>
        {token
          ? 'Queries run with the token you signed in with on the dashboard.'
          : 'No token in this browser session: sign in on the dashboard first, or add an Authorization header below.'}
      </span>
    </div>
  );
}

createRoot(document.getElementById('graphiql') as HTMLElement).render(
  <StrictMode>
    <div className="cid-graphiql">
      <Banner />
      <div className="cid-graphiql-main">
        <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false} />
      </div>
    </div>
  </StrictMode>,
);
