import "./styles/base.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/mapping.css";
import "./styles/automation.css";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { RouterProvider } from "react-router/dom";

import { setUnauthorizedHandler } from "./api/client";
import { ApiError } from "./api/errors";
import type { LoginNotice } from "./pages/LoginPage";
import { routes } from "./routes";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network trouble and 5xx may.
      retry: (failures, error) => !(error instanceof ApiError && error.isClientError) && failures < 2,
    },
    mutations: { retry: false },
  },
});

const router = createBrowserRouter(routes);

setUnauthorizedHandler(({ path }) => {
  const { pathname, search } = window.location;
  if (pathname === "/login") return;
  const here = pathname + search;
  const next = here === "/" ? "" : `?next=${encodeURIComponent(here)}`;
  // The first session check failing just means "not signed in yet"; any other 401 means the
  // session ended under the operator's feet, which deserves a word.
  const notice: LoginNotice | undefined = path === "/api/auth/me" ? undefined : "expired";
  void router.navigate(`/login${next}`, { replace: true, state: notice ? { notice } : null }).then(() => {
    // Nothing from the ended session may show up after the next sign-in.
    queryClient.clear();
  });
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
