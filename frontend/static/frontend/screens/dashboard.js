// The learner's dashboard: courses with percent complete and where to continue; certificates.
import { api, readable } from "../api.js";
import { BASE } from "../app.js";
import { alertBox, h, link, progressBar, render } from "../dom.js";

export async function dashboard() {
  const courses = h("section", { "aria-labelledby": "my-courses" }, h("h2", { id: "my-courses" }, "My courses"));
  const certificates = h("section", { "aria-labelledby": "my-certificates" }, h("h2", { id: "my-certificates" }, "Certificates"));
  render("My learning", h("h1", {}, "My learning"), courses, certificates);
  try {
    const [enrollments, certs] = await Promise.all([api("/me/enrollments/?page_size=100"), api("/me/certificates/?page_size=100")]);
    if (!enrollments.results.length) {
      courses.append(h("p", {}, "You have not enrolled in a course yet. ", link(`${BASE}/`, "Browse the catalog")));
    } else {
      courses.append(
        h(
          "ul",
          { class: "dash-list" },
          enrollments.results.map((item) => {
            const resume = item.next_lesson_id || item.last_lesson_id;
            return h(
              "li",
              { class: "dash-item", dataset: { courseId: item.course.id } },
              h("h3", {}, link(`${BASE}/courses/${item.course.id}`, item.course.title)),
              progressBar(item.percent_complete, `${item.course.title} progress`),
              h("p", { class: "meta" }, item.status === "completed" ? "Completed" : item.status === "active" ? "In progress" : item.status),
              resume && item.course_available !== false
                ? link(`${BASE}/courses/${item.course.id}/lessons/${resume}`, item.percent_complete ? "Continue" : "Start", {
                    class: "button small",
                    "aria-label": `${item.percent_complete ? "Continue" : "Start"} ${item.course.title}`,
                  })
                : null,
            );
          }),
        ),
      );
    }
    const list = certs.results || certs;
    certificates.append(
      list.length
        ? h(
            "ul",
            {},
            list.map((cert) =>
              h(
                "li",
                {},
                h("strong", {}, cert.course?.title || "Certificate"),
                cert.status && cert.status !== "issued" ? ` (${cert.status})` : "",
                cert.verification_url ? [" · ", h("a", { href: cert.verification_url }, "Verification page")] : null,
              ),
            ),
          )
        : h("p", {}, "Complete a course to earn a certificate."),
    );
  } catch (error) {
    courses.append(alertBox(readable(error)));
  }
}
