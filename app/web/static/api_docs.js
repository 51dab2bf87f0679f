// Start Swagger UI on the API documentation page; its settings come from data attributes,
// so the page has no inline script.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(root.dataset.config || "{}");
  config.url = root.dataset.specUrl;
  config.dom_id = "#swagger-ui";
  config.deepLinking = true;
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
  config.plugins = [SwaggerUIBundle.plugins.DownloadUrl];
  config.layout = "BaseLayout";
  SwaggerUIBundle(config);
});
