import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, router } from "../app";

/** `/openapi.json`, generated from the routes' own schemas, and a readable page of it at `/docs`. */
export function docs(app: OpenAPIHono<AppEnv>) {
  const r = router();
  let document: unknown;
  r.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Equilibrium",
        version: "1.0.0",
        description: "Dynamic (surge) pricing at the edge: markets on H3, live supply and demand, signed upfront quotes.",
      },
    });
    return c.json(document);
  });
  r.get("/docs", (c) => c.html(DOCS_PAGE));
  r.get("/", (c) => c.json({ name: "Equilibrium", docs: "/docs", openapi: "/openapi.json", health: "/health/ready" }));
  return r;
}

// A self-contained page (no CDN): it reads /openapi.json and lists every operation with its schemas.
const DOCS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Equilibrium API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.6rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #dde}code,pre{font:13px ui-monospace,monospace}
pre{background:#f5f6fa;padding:.75rem;overflow:auto;border-radius:6px}.m{display:inline-block;min-width:4.5em;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#06c}.put{color:#b60}details{margin:.25rem 0}</style></head><body>
<h1>Equilibrium API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code>.</p>
<div id="ops">Loading…</div><script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{const out=[];for(const[path,item]of Object.entries(doc.paths)){for(const[method,op]of Object.entries(item)){
const body=op.requestBody?.content?.['application/json']?.schema;const ok=Object.entries(op.responses||{});
out.push('<h2><span class="m '+method+'">'+method+'</span> <code>'+path+'</code></h2><p>'+(op.summary||'')+'</p>'+(op.description?'<p>'+op.description+'</p>':'')
+(op.parameters?'<details><summary>Parameters</summary><pre>'+JSON.stringify(op.parameters,null,2)+'</pre></details>':'')
+(body?'<details><summary>Request body</summary><pre>'+JSON.stringify(body,null,2)+'</pre></details>':'')
+ok.map(([s,r])=>'<details><summary>'+s+' '+(r.description||'')+'</summary><pre>'+JSON.stringify(r.content||{},null,2)+'</pre></details>').join(''))}}
document.getElementById('ops').innerHTML=out.join('')});
</script></body></html>`;
