// Small behaviours shared by the staff pages. htmx sends the CSRF token from <body hx-headers>.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 ? "您没有执行此操作的权限。" : status === 404 ? "请求的内容不存在。" : "操作未完成，请稍后重试。";
  window.alert(text);
});
