// Small progressive enhancements; every form works without this file.
(function () {
  "use strict";
  // Show the evidence / reason inputs of an action status form only when they matter.
  function sync(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-show-for]").forEach(function (box) {
      var wanted = box.getAttribute("data-show-for").split(" ");
      box.hidden = wanted.indexOf(select.value) === -1 && !box.querySelector(".error");
    });
  }
  document.querySelectorAll("select[data-status-select]").forEach(function (select) {
    sync(select);
    select.addEventListener("change", function () { sync(select); });
  });
})();
