/* "Select the whole page" of a results table. */
document.querySelectorAll("[data-crm-select-all]").forEach((control) => {
  control.addEventListener("click", () => {
    const boxes = document.querySelectorAll('input[name=row][form="crm-rows-form"]');
    const all = Array.from(boxes).every((box) => box.checked);
    boxes.forEach((box) => {
      box.checked = !all;
    });
  });
});
