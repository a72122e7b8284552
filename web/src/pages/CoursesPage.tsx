// The courses the caller teaches or is enrolled in (admin: all), each linking to its course page; a teacher or admin
// creates one here, and anyone joins one with an invite code (issue 17 Deliver 1).

import { api } from '../api/api';
import { ErrorBox, Loading } from '../components/common';
import { CourseTable } from '../components/CourseTable';
import { useAsync } from '../hooks/useAsync';
import { JoinCourseForm } from './course/JoinCourseForm';
import { NewCourseForm } from './course/NewCourseForm';

export function CoursesPage() {
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const courses = useAsync((signal) => api.get('/api/v1/courses', { signal }), []);
  const role = me.data?.user.role;
  const teaches = role === 'teacher' || role === 'admin';
  // A course page (students, instances, publishing) is for its teacher and admins; a student's course is a line here.
  const manages = (teacher: string) => role === 'admin' || (role === 'teacher' && teacher === me.data?.user.username);
  return (
    <main className="page">
      <h1>Courses</h1>
      <ErrorBox error={courses.error} />
      {courses.loading && !courses.data ? (
        <Loading what="courses" />
      ) : courses.data?.length === 0 ? (
        <p className="muted">{teaches ? 'No courses yet: create one below.' : 'You are in no course yet: join one with the code your teacher gave you.'}</p>
      ) : (
        courses.data && <CourseTable courses={courses.data} linked={(c) => manages(c.teacher)} />
      )}
      <JoinCourseForm onJoined={courses.reload} />
      {teaches && <NewCourseForm />}
    </main>
  );
}
