// The app shell: header with navigation and the theme switch, the server-down banner, and the view for the route.
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import './styles.css';
import { onServerState } from './api';
import { NotFound } from './common';
import { href, useRoute } from './router';
import { ExperimentsView } from './views/experiments';
import { RunsView } from './views/runs';
import { RunView } from './views/run';
import { CompareView } from './views/compare';
import { ModelsView, ModelView, VersionView } from './views/models';

type Theme = 'light' | 'dark';
function initialTheme(): Theme {
  const saved = localStorage.getItem('mlf-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function App() {
  const route = useRoute();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [down, setDown] = useState(false);
  useEffect(() => onServerState(setDown), []);
  // Before paint, so no frame shows the new button label on the old theme.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('mlf-theme', theme);
  }, [theme]);
  const first = useRef(true);
  useEffect(() => {
    // After a navigation (not the first load), focus the new page's heading so keyboard and
    // screen-reader users land on it.
    if (first.current) {
      first.current = false;
      return;
    }
    requestAnimationFrame(() => {
      const h = document.querySelector('main h1') as HTMLElement | null;
      if (!h || document.activeElement?.closest('main')) return;
      h.tabIndex = -1;
      h.focus();
    });
  }, [route]);

  let view;
  switch (route.view) {
    case 'experiments':
      view = <ExperimentsView />;
      break;
    case 'runs':
      view = <RunsView key={route.experimentId} experimentId={route.experimentId} query={route.query} />;
      break;
    case 'run':
      view = <RunView key={route.runId} experimentId={route.experimentId} runId={route.runId} tab={route.tab} />;
      break;
    case 'compare':
      view = <CompareView runIds={route.runIds} />;
      break;
    case 'models':
      view = <ModelsView />;
      break;
    case 'model':
      view = <ModelView key={route.name} name={route.name} />;
      break;
    case 'version':
      view = <VersionView key={route.name + route.version} name={route.name} version={route.version} />;
      break;
    default:
      view = <NotFound what={`No page at ${route.path}.`} />;
  }
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href.experiments()}>
          mlf
        </a>
        <nav aria-label="Main">
          <a href={href.experiments()} aria-current={route.view === 'experiments' || route.view === 'runs' || route.view === 'run' ? 'page' : undefined}>
            Experiments
          </a>
          <a href={href.models()} aria-current={route.view === 'models' || route.view === 'model' || route.view === 'version' ? 'page' : undefined}>
            Models
          </a>
        </nav>
        <button class="theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      {down ? (
        <div class="banner" role="alert">
          The mlf server cannot be reached. What is shown may be out of date; the page retries on your next action.
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById('root')!);
