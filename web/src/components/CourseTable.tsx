import { Link } from 'react-router';
import { num } from '../api/client';
import type { CourseInfo } from '../api/types';

/** Courses with their teacher, students and published version; a course links to its page where `linked` says so. */
export function CourseTable({ courses, linked }: { courses: CourseInfo[]; linked: (course: CourseInfo) => boolean }) {
  return (
    <table className="table">
      <caption className="sr-only">Courses</caption>
      <thead>
        <tr>
          <th scope="col">Course</th>
          <th scope="col">Title</th>
          <th scope="col">Teacher</th>
          <th scope="col">Students</th>
          <th scope="col">Published version</th>
        </tr>
      </thead>
      <tbody>
        {courses.map((c) => (
          <tr key={c.id}>
            <td>{linked(c) ? <Link to={`/courses/${encodeURIComponent(c.name)}`}>{c.name}</Link> : c.name}</td>
            <td>{c.title ?? ''}</td>
            <td>{c.teacher}</td>
            <td>{num(c.students)}</td>
            <td>{num(c.latestVersion) || 'none yet'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
