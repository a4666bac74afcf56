/* Buttons marked data-print open the browser's print dialog (no inline
   script: the content security policy forbids it). */
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
})();
