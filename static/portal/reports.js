// Charts of the reports page, drawn from the numbers the page also shows in its tables.
(function () {
  const source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0b5394", "#38761d", "#e69138", "#674ea7", "#cc0000", "#45818e", "#bf9000", "#a64d79"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  new Chart(document.getElementById("chart-certifications"), {
    type: "bar",
    data: {
      labels: data.months,
      datasets: data.channels.map(function (channel, index) {
        return { label: channel.label, data: channel.data, backgroundColor: palette[index % palette.length] };
      }),
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
               plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
  });
  new Chart(document.getElementById("chart-overdue"), {
    type: "line",
    data: { labels: data.months, datasets: [{ label: data.labels.newly_overdue, data: data.newly_overdue,
                                              borderColor: "#cc0000", backgroundColor: "#cc000033", fill: true }] },
    options: { responsive: true, scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } },
  });
  new Chart(document.getElementById("chart-reminders"), {
    type: "bar",
    data: { labels: data.months, datasets: [
      { label: data.labels.sent, data: data.sent, backgroundColor: "#38761d" },
      { label: data.labels.failed, data: data.failed, backgroundColor: "#cc0000" },
    ] },
    options: { responsive: true, scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } },
  });
})();
