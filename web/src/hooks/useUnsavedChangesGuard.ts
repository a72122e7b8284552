import { useEffect, useRef } from 'react';

/**
 * Asks before leaving a page with unsaved changes (issue 17 Deliver 6: the designer lost edits to a stray click):
 * closing or reloading the tab gets the browser's own question (beforeunload), and a click on a link that leaves the
 * page gets `question` as a confirm. The app's router is a BrowserRouter, where react-router's useBlocker does not
 * work (it needs a data router), so link clicks are caught at the document in the capture phase, before React's
 * root listener hands them to <Link>. Navigation the page starts itself (navigate() after a save) is not asked about;
 * neither is the browser's Back button, which only a data router can hold.
 */
export function useUnsavedChangesGuard(dirty: boolean, question: string) {
  const state = useRef({ dirty, question });
  state.current = { dirty, question };

  useEffect(() => {
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (!state.current.dirty) return;
      event.preventDefault();
      // Older Chromium shows the prompt only when returnValue is set (the text itself is ignored).
      event.returnValue = '';
    };
    const click = (event: MouseEvent) => {
      if (!state.current.dirty || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // opens a new tab or window
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
      const to = new URL(link.href, window.location.href);
      if (to.pathname === window.location.pathname && to.search === window.location.search) return; // an in-page anchor
      if (!window.confirm(state.current.question)) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, []);
}
