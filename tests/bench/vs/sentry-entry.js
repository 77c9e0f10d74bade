// Sentry's user-feedback widget as its documentation sets it up for npm users: the SDK and
// `feedbackIntegration` (the eager one) in the page's bundle, initialised at start.
// Bundled by tests/bench/vs.mjs with esbuild (minified, as a site would ship it).
import * as Sentry from "@sentry/browser";

Sentry.init({
  dsn: window.__SENTRY_DSN__,
  integrations: [Sentry.feedbackIntegration({ colorScheme: "light", autoInject: true })],
});
