// The API's documentation page: Swagger UI over the service's own OpenAPI document.
"use strict";
(() => {
  const root = document.getElementById("api-docs");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: true,
    // Requests tried from the page go to this service only, never to an address a link names.
    tryItOutEnabled: false,
  });
})();
