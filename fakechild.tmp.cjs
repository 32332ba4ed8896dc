const { startFakeAdminApi } = require('/work/main/.cache/run/sandbox/server.js');
(async () => { const api = await startFakeAdminApi({ latencyMs: 20 }); api.organization.maxCertificates = 1e9;
  const ids = Array.from({ length: 1000 }, () => api.organization.addCertificate().id);
  process.send({ baseUrl: api.baseUrl, apiKey: api.apiKey, ids }); })();
