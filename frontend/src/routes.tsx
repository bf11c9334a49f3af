import type { RouteObject } from "react-router";

import { AppShell } from "./components/AppShell";
import { FieldMappingPage } from "./pages/FieldMappingPage";
import { FilterPage } from "./pages/FilterPage";
import { FiltersPage } from "./pages/FiltersPage";
import { JobPage } from "./pages/JobPage";
import { LoginPage } from "./pages/LoginPage";
import { CrashPage, NotFoundPage } from "./pages/NotFoundPage";

// The server answers every non-API path with index.html, so these are the only URLs.
export const routes: RouteObject[] = [
  { path: "/login", element: <LoginPage />, errorElement: <CrashPage /> },
  {
    path: "/",
    element: <AppShell />,
    errorElement: <CrashPage />,
    children: [
      { index: true, element: <FiltersPage /> },
      { path: "filters/:filterId", element: <FilterPage /> },
      { path: "jobs/:jobId", element: <JobPage /> },
      { path: "field-mapping", element: <FieldMappingPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
