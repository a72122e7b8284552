import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { CallbackPage } from './auth/CallbackPage';
import { CALLBACK_PATH } from './auth/session';
import { Loading } from './components/common';
import { useAsync } from './hooks/useAsync';
import { api } from './api/api';
import { AccountPage } from './pages/AccountPage';
import { AdminPage } from './pages/admin/AdminPage';
import { ComputersPage } from './pages/ComputersPage';
import { CoursePage } from './pages/CoursePage';
import { CoursesPage } from './pages/CoursesPage';
import { DesignerPage } from './pages/DesignerPage';
import { ExperimentPage, ExperimentsPage } from './pages/ExperimentsPage';
import { HomePage } from './pages/HomePage';
import { MigrationPage } from './pages/MigrationPage';
import { MigrationsPage } from './pages/MigrationsPage';
import { RoomViewPage } from './pages/RoomViewPage';
import { WizardPage } from './pages/WizardPage';

// The consoles pull in noVNC and xterm.js: loaded only when a console opens.
const VncConsolePage = lazy(() => import('./pages/VncConsolePage'));
const SerialConsolePage = lazy(() => import('./pages/SerialConsolePage'));
const SpiceConsolePage = lazy(() => import('./pages/SpiceConsolePage'));

function Shell({ children }: { children: ReactNode }) {
  const { state, signOut } = useAuth();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          SkillVL
        </Link>
        {state.status === 'signed-in' && (
          <nav aria-label="Main">
            <NavLink to="/" end>
              Home
            </NavLink>
            <NavLink to="/rooms/new/quick">Quick start</NavLink>
            <NavLink to="/rooms/new" end>
              Designer
            </NavLink>
            <NavLink to="/migrations">Migrations</NavLink>
            <RoleLinks />
          </nav>
        )}
        <div className="user">
          {state.status === 'signed-in' && (
            <>
              <Link to="/account" title="Your account and password">
                {state.user.profile.preferred_username ?? state.user.profile.name ?? state.user.profile.sub}
              </Link>
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <div id="main">{children}</div>
    </>
  );
}

/** Courses for everyone, Experiments for teachers and admins, Administration for admins (the Server enforces both; this only declutters). */
function RoleLinks() {
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const role = me.data?.user.role;
  return (
    <>
      {role && <NavLink to="/computers">My computers</NavLink>}
      {/* Everyone: a student joins a course there with an invite code (issue 17). */}
      {role && <NavLink to="/courses">Courses</NavLink>}
      {(role === 'teacher' || role === 'admin') && <NavLink to="/experiments">Experiments</NavLink>}
      {role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
    </>
  );
}

function RequireSignIn({ children }: { children: ReactNode }) {
  const { state, signIn } = useAuth();
  if (state.status === 'loading') return <Loading what="your session" />;
  if (state.status === 'error') {
    return (
      <main className="page narrow">
        <div role="alert" className="error-box">
          Cannot reach the SkillVL server: {state.message}
        </div>
      </main>
    );
  }
  if (state.status === 'signed-out') {
    return (
      <main className="page narrow sign-in">
        <h1>SkillVL</h1>
        <p>Virtual rooms for teaching labs: machines and networks, drawn and ready in minutes.</p>
        <button type="button" className="primary big" onClick={signIn}>
          Sign in
        </button>
      </main>
    );
  }
  return <>{children}</>;
}

export function AppRoutes() {
  const guarded = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Routes>
        <Route path={CALLBACK_PATH} element={<CallbackPage />} />
        <Route path="/" element={guarded(<HomePage />)} />
        <Route path="/rooms/new/quick" element={guarded(<WizardPage />)} />
        <Route path="/rooms/new" element={guarded(<DesignerPage />)} />
        <Route path="/rooms/:room" element={guarded(<RoomViewPage />)} />
        <Route path="/rooms/:room/edit" element={guarded(<DesignerPage />)} />
        <Route path="/rooms/:room/machines/:machine/console" element={guarded(<VncConsolePage />)} />
        <Route path="/rooms/:room/machines/:machine/serial" element={guarded(<SerialConsolePage />)} />
        <Route path="/rooms/:room/machines/:machine/spice" element={guarded(<SpiceConsolePage />)} />
        <Route path="/migrations" element={guarded(<MigrationsPage />)} />
        <Route path="/migrations/:id" element={guarded(<MigrationPage />)} />
        <Route path="/courses" element={guarded(<CoursesPage />)} />
        <Route path="/experiments" element={guarded(<ExperimentsPage />)} />
        <Route path="/experiments/:name" element={guarded(<ExperimentPage />)} />
        <Route path="/courses/:course" element={guarded(<CoursePage />)} />
        <Route path="/admin/*" element={guarded(<AdminPage />)} />
        <Route path="/computers" element={guarded(<ComputersPage />)} />
        <Route path="/account" element={guarded(<AccountPage />)} />
        <Route
          path="*"
          element={
            <main className="page narrow">
              <h1>Not found</h1>
              <Link to="/">Home</Link>
            </main>
          }
        />
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Shell>
          <AppRoutes />
        </Shell>
      </BrowserRouter>
    </AuthProvider>
  );
}
