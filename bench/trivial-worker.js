// The baseline: the least a Worker can do per request (answer a tiny JSON body) in the same
// runtime, started the same way as the platform. The request body is not read.
export default {
  fetch() {
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  },
};
