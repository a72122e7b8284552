// Testing Library's waitFor and findBy* give up after 1 s by default. CI runs the web tests while the .NET solution
// builds on two cores, where a page's effects and re-renders can take longer (a PlacementPolicyPanel test failed so at
// load 13). Each wait still ends as soon as what it waits for is there; this only moves the point of giving up.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 5000 });
