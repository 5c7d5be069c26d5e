/** The one HTML page: a shell that loads the bundled front end (no inline script, so the CSP can forbid it). */
export function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ganglion dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="top"><a class="brand" href="#/">ganglion</a><nav id="nav"></nav><span id="source" class="muted"></span></header>
<main id="app"><p class="muted">Loading… (if this stays, the front end is not built: run <code>npm run build:dashboard</code>)</p></main>
<script type="module" src="/static/app.js"></script>
</body>
</html>
`;
}
